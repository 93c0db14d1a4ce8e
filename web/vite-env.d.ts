/// <reference types="vite/client" />

/** A part of one language's UI strings (vite.config.ts builds them from web/i18n/messages.ts). */
declare module 'virtual:web-messages/*' {
  const catalog: Partial<Record<import('./i18n/messages').WebMessageKey, string>>;
  export default catalog;
}
