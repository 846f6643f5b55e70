import { useState } from 'react';
import { Button } from 'react-aria-components';

/**
 * Keyset paging: the cursors of the pages walked through, so **back** returns to the
 * previous page and **forward** follows the last answer's `nextCursor`.
 */
export function useCursors() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    isFirst: cursors.length === 0,
    back: () => setCursors(cursors.slice(0, -1)),
    forward: (next: string) => setCursors([...cursors, next]),
    reset: () => setCursors([]),
  };
}

export function CursorPager(props: {
  paging: ReturnType<typeof useCursors>;
  nextCursor: string | null | undefined;
  backLabel: string;
  forwardLabel: string;
}) {
  const { paging, nextCursor } = props;
  return (
    <div className="actions">
      <Button isDisabled={paging.isFirst} onPress={paging.back}>
        {props.backLabel}
      </Button>
      <Button isDisabled={!nextCursor} onPress={() => nextCursor && paging.forward(nextCursor)}>
        {props.forwardLabel}
      </Button>
    </div>
  );
}
