/** Placeholder: being written now. */
export function ActivityCategoriesPage() {
  return null;
}
