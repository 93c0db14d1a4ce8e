/// <reference types="vite/client" />

/** One language's UI strings (vite.config.ts builds them from web/i18n/messages.ts). */
declare module 'virtual:web-messages/*' {
  const catalog: Record<import('./i18n/messages').WebMessageKey, string>;
  export default catalog;
}
