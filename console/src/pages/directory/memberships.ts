import { ApiError, api } from '../../api';

/**
 * Adding and removing one member, on the API's "replace the whole list" routes:
 * read the user's employments or groups, change one, put the list back.
 */
interface Employment {
  accountId: string;
  startDate: string | null;
  endDate: string | null;
  isMain: boolean;
}
interface Relations {
  employments: Employment[];
  groups: { id: string }[];
}
const relationsOf = (userId: string) => api<Relations>(`/users/${userId}`);

const putEmployments = (userId: string, employments: Employment[]) =>
  api(`/users/${userId}/employments`, {
    method: 'PUT',
    body: {
      employments: employments.map(({ accountId, startDate, endDate, isMain }) => ({
        accountId,
        startDate,
        endDate,
        isMain,
      })),
    },
  });

export async function addEmployment(userId: string, accountId: string) {
  const { employments } = await relationsOf(userId);
  if (employments.some((e) => e.accountId === accountId)) return;
  await putEmployments(userId, [...employments, { accountId, startDate: null, endDate: null, isMain: false }]);
}

/** A user works for at least one account: the last employment is not removed here. */
export async function removeEmployment(userId: string, accountId: string) {
  const { employments } = await relationsOf(userId);
  const rest = employments.filter((e) => e.accountId !== accountId);
  if (!rest.length)
    throw new ApiError(400, 'employment.last', 'A user works for at least one account: add them to another one first.');
  const main = rest.some((e) => e.isMain) ? rest : rest.map((e, i) => ({ ...e, isMain: i === 0 }));
  await putEmployments(userId, main);
}

const putGroups = (userId: string, groupIds: string[]) =>
  api(`/users/${userId}/groups`, { method: 'PUT', body: { groupIds } });

export async function addToGroup(userId: string, groupId: string) {
  const { groups } = await relationsOf(userId);
  if (!groups.some((g) => g.id === groupId)) await putGroups(userId, [...groups.map((g) => g.id), groupId]);
}

export async function removeFromGroup(userId: string, groupId: string) {
  const { groups } = await relationsOf(userId);
  await putGroups(
    userId,
    groups.map((g) => g.id).filter((id) => id !== groupId),
  );
}
