import { Route, Routes } from 'react-router';
import { GroupList, GroupRecord } from './directory/group-pages';

/** Groups: `/groups` and `/groups/:id`. */
export default function Page() {
  return (
    <Routes>
      <Route index element={<GroupList />} />
      <Route path=":id" element={<GroupRecord />} />
    </Routes>
  );
}
