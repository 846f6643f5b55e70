import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { notify } from './components/toasts';

/**
 * A change through the admin API: on success the lists it touches are read again
 * and the administrator is told what happened; a failure stays on `error` for the
 * form or dialog to show.
 */
export function useChange<V, R>(
  run: (input: V) => Promise<R>,
  options: { invalidate: QueryKey[]; success?: (result: R, input: V) => string; done?: (result: R, input: V) => void },
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (result, input) => {
      await Promise.all(options.invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      if (options.success) notify.success(options.success(result, input));
      options.done?.(result, input);
    },
  });
}
