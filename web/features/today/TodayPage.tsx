/** Placeholder: being written now. */
export function TodayPage() {
  return null;
}
