/** The brand blue: antd's primary colour, the logo, the avatar. */
export const BRAND_BLUE = '#1f5fbf';
