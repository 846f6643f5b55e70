import { PageTitle } from '../components/page-title';

export default function Page() {
  return <PageTitle title="Page not found">Page not found</PageTitle>;
}
