import type { Segment } from '../../../common/schemas/knowledge-search';

/** Text as the search answered it: the matching segments marked (never HTML from the server). */
export function Highlighted({ segments }: { segments: Segment[] }) {
  return <>{segments.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}</>;
}
