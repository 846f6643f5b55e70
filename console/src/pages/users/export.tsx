import { useState } from 'react';
import { Button } from 'react-aria-components';
import { apiFetch } from '../../api';
import { notify } from '../../components/toasts';
import { useMe } from '../../me';

/** The file's name from Content-Disposition (`attachment; filename="users-2026-12-07.csv"`). */
const fileName = (response: Response, fallback: string) =>
  /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallback;

/** Export the users the filter matches as CSV or XLSX: fetched with the token, saved as a download. */
export function ExportButtons({ exportQuery }: { exportQuery: string }) {
  const { can } = useMe();
  const [busy, setBusy] = useState(false);
  if (!can('users.export')) return null;
  const download = async (extension: 'csv' | 'xlsx') => {
    setBusy(true);
    try {
      const response = await apiFetch(`/exports/users.${extension}${exportQuery}`, { headers: { accept: '*/*' } });
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName(response, `users.${extension}`);
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      notify.error('The export failed', error instanceof Error ? error.message : undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button isDisabled={busy} onPress={() => void download('csv')}>
        Export CSV
      </Button>
      <Button isDisabled={busy} onPress={() => void download('xlsx')}>
        Export XLSX
      </Button>
    </>
  );
}
