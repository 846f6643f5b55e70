import type { AuditEvent } from './names';

const show = (v: unknown) =>
  v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** An event's old and new values (and its other details), behind a disclosure. */
export function Changes({ event }: { event: AuditEvent }) {
  const changes = Object.entries(event.changes ?? {});
  const details = Object.entries(event.details ?? {});
  if (!changes.length && !details.length) return null;
  const count = changes.length;
  return (
    <details className="changes">
      <summary>{count ? `Show ${count} change${count === 1 ? '' : 's'}` : 'Show details'}</summary>
      {count > 0 && (
        <table className="data-table" aria-label="Old and new values">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Old value</th>
              <th scope="col">New value</th>
            </tr>
          </thead>
          <tbody>
            {changes.map(([field, [from, to]]) => (
              <tr key={field}>
                <th scope="row">{field}</th>
                <td>{show(from)}</td>
                <td>{show(to)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {details.length > 0 && (
        <dl className="facts">
          {details.map(([key, value]) => (
            <div key={key} className="fact">
              <dt>{key}</dt>
              <dd>{show(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </details>
  );
}
