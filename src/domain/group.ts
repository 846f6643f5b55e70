/** A named set of users (SCIM Groups). */
export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** A member of a group as others see them: the user's id and display name. */
export interface GroupMember {
  id: string;
  display: string;
}
