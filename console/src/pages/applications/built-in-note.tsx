/** Why a client or API has no actions: Gatehouse made it and keeps it as made. */
export function BuiltInNote() {
  return <span className="muted">Built in: Gatehouse's own, read-only</span>;
}
