import type { ReactNode } from 'react';
import { notAllowed, useMe } from '../me';
import type { AdminAction } from '../types';
import { PageTitle } from './page-title';

/** A page the role may not use: its title and why, instead of a form the API would refuse. */
export function NeedsPermission(props: { action: AdminAction; title: string; heading: string; children: ReactNode }) {
  const { can } = useMe();
  if (can(props.action)) return props.children;
  return (
    <>
      <PageTitle title={props.title}>{props.heading}</PageTitle>
      <p>{notAllowed(props.action)}</p>
    </>
  );
}
