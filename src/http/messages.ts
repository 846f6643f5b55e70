/** What a person is told, by error code. Unknown user and wrong password share one text. */
export const LOGIN_MESSAGES: Record<string, string> = {
  'login.invalid_credentials': 'The email, User ID or password is incorrect.',
  'login.locked': 'Your account is locked. Reset your password to unlock it.',
  'login.inactive': 'Your account has been deactivated. Ask your administrator to reactivate it.',
  'login.pending': 'Your account is not active yet: it is waiting for an invitation to be accepted or for approval.',
  'login.deleted': 'This account has been deleted. Ask your administrator if you need access.',
  'login.not_allowed': 'You may not sign in with this account.',
};
