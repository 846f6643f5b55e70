import { api } from '../../api';

/**
 * Adding and removing one member: one change of the user's employments or groups
 * that keeps the others (the API's PATCH routes), so two administrators changing
 * the same user at once both keep their change.
 */
const edit = (userId: string, what: 'employments' | 'groups', change: { add?: string[]; remove?: string[] }) =>
  api(`/users/${userId}/${what}`, { method: 'PATCH', body: change });

export const addEmployment = (userId: string, accountId: string) => edit(userId, 'employments', { add: [accountId] });

/** A user works for at least one account: the API refuses to remove the last employment (`employment.last`). */
export const removeEmployment = (userId: string, accountId: string) =>
  edit(userId, 'employments', { remove: [accountId] });

export const addToGroup = (userId: string, groupId: string) => edit(userId, 'groups', { add: [groupId] });

export const removeFromGroup = (userId: string, groupId: string) => edit(userId, 'groups', { remove: [groupId] });
