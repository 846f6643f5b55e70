import {
  Button,
  Text,
  UNSTABLE_Toast as Toast,
  UNSTABLE_ToastContent as ToastContent,
  UNSTABLE_ToastQueue as ToastQueue,
  UNSTABLE_ToastRegion as ToastRegion,
} from 'react-aria-components';

interface Notice {
  title: string;
  description?: string;
  tone: 'success' | 'error';
}

const queue = new ToastQueue<Notice>({ maxVisibleToasts: 3 });

/** Tell the administrator what happened (a live region: screen readers hear it too). */
export const notify = {
  success: (title: string, description?: string) =>
    queue.add({ title, description, tone: 'success' }, { timeout: 5000 }),
  error: (title: string, description?: string) => queue.add({ title, description, tone: 'error' }),
};

export function Toasts() {
  return (
    <ToastRegion queue={queue} className="toasts">
      {({ toast }) => (
        <Toast toast={toast} className={`toast toast-${toast.content.tone}`}>
          <ToastContent>
            <Text slot="title">{toast.content.title}</Text>
            {toast.content.description && <Text slot="description">{toast.content.description}</Text>}
          </ToastContent>
          <Button slot="close" aria-label="Dismiss">
            ×
          </Button>
        </Toast>
      )}
    </ToastRegion>
  );
}
