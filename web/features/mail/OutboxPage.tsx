/** Placeholder: being written now. */
export function OutboxPage() {
  return null;
}
