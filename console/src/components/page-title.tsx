import { type ReactNode, useEffect } from 'react';

/** The page's heading and the browser tab's title: each page has its own. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · Gatehouse administration`;
  }, [title]);
  return <h1>{children}</h1>;
}
