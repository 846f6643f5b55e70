import { Button } from 'react-aria-components';

/** Previous / next through a list paged by offset, saying which rows are shown. */
export function OffsetPager(props: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  const { offset, limit, total } = props;
  if (total <= limit && offset === 0) return null;
  return (
    <div className="actions pager">
      <Button isDisabled={offset === 0} onPress={() => props.onChange(Math.max(0, offset - limit))}>
        Previous page
      </Button>
      <span>
        {Math.min(total, offset + 1)}–{Math.min(total, offset + limit)} of {total}
      </span>
      <Button isDisabled={offset + limit >= total} onPress={() => props.onChange(offset + limit)}>
        Next page
      </Button>
    </div>
  );
}
