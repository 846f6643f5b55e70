import { apiFetch } from '../../api';

/** Fetches a file of the admin API (with the administrator's token) and saves it under its own name. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await apiFetch(path, { headers: { accept: 'text/csv' } });
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
