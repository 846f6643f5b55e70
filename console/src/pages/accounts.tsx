import { NavLink, Route, Routes } from 'react-router';
import { AccountGroupList, AccountGroupRecord } from './directory/account-group-pages';
import { AccountList, AccountRecord } from './directory/account-pages';

/** Accounts and account groups: `/accounts`, `/accounts/:id`, `/accounts/groups`, `/accounts/groups/:id`. */
export default function Page() {
  return (
    <>
      <nav aria-label="Accounts and account groups" className="sub-nav">
        <NavLink to="/accounts" end>
          Accounts
        </NavLink>
        <NavLink to="/accounts/groups">Account groups</NavLink>
      </nav>
      <Routes>
        <Route index element={<AccountList />} />
        <Route path="groups" element={<AccountGroupList />} />
        <Route path="groups/:id" element={<AccountGroupRecord />} />
        <Route path=":id" element={<AccountRecord />} />
      </Routes>
    </>
  );
}
