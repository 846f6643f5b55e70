import { useMutation, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Button } from 'react-aria-components';
import { api } from '../../api';
import { notify } from '../../components/toasts';
import { errorText, type RecordView, userKey } from './model';

interface Verdict {
  allowed: boolean;
  reason: string | null;
  message: string | null;
}

/**
 * **Log in as user**: enabled when the impersonation rules allow it now (the API says,
 * GET /users/{id}/impersonation), else disabled with the reason beside it. Pressed, it
 * asks for a single-use link and opens it in a new tab: Gatehouse's session in this
 * browser then acts as the user.
 */
export function LogInAsUser({ record }: { record: RecordView }) {
  const reasonId = useId();
  const verdict = useQuery({
    queryKey: [...userKey(record.id), 'impersonation', record.details.user.status],
    queryFn: () => api<Verdict>(`/users/${record.id}/impersonation`),
  });
  const start = useMutation({
    mutationFn: async (tab: Window | null) => {
      const { url } = await api<{ url: string }>('/impersonation', { method: 'POST', body: { userId: record.id } });
      return { tab, url };
    },
    onSuccess: ({ tab, url }) => {
      if (tab) tab.location.href = url;
      else window.location.assign(url);
    },
    onError: (error, tab) => {
      tab?.close();
      notify.error('Could not log in as this user', errorText(error));
    },
  });
  const allowed = verdict.data?.allowed === true;
  return (
    <div className="log-in-as">
      <Button
        isDisabled={!allowed || start.isPending}
        aria-describedby={verdict.data && !allowed ? reasonId : undefined}
        onPress={() => {
          // Opened at the press (a browser lets a click open a tab), pointed at the link once it is made.
          const tab = window.open('', '_blank');
          if (tab) tab.opener = null;
          start.mutate(tab);
        }}
      >
        Log in as user
      </Button>
      {verdict.data && !allowed && (
        <span id={reasonId} className="muted">
          {verdict.data.message}
        </span>
      )}
    </div>
  );
}
