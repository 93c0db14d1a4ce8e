/** Placeholder: being written now. */
export function CalendarPage() {
  return null;
}
