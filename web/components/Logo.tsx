import { BRAND_BLUE } from './theme';

/** The product mark: 工 (gōng, "work") on the brand blue. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <span
      aria-hidden
      style={{
        display: 'inline-flex',
        alignItems: 'center',
        justifyContent: 'center',
        flex: 'none',
        width: size,
        height: size,
        borderRadius: Math.round(size / 4.5),
        background: BRAND_BLUE,
        color: '#fff',
        fontSize: Math.round(size / 2),
        fontWeight: 700,
      }}
    >
      工
    </span>
  );
}
