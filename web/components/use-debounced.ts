import { useEffect, useState } from 'react';

/** `value`, settled: it changes only after `ms` without a further change (for search-as-you-type). Pass primitives. */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
