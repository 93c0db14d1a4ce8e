import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useT } from '../i18n';

/** Sets the browser tab's title to "<title> — 工单" ("— Gongdan" in English), or the app's name alone. */
export function useDocumentTitle(title: string | undefined) {
  const t = useT();
  useEffect(() => {
    document.title = title ? t('app.documentTitle', { title }) : t('app.fullName');
  }, [title, t]);
}

const RecordNameContext = createContext<(name: string | undefined) => void>(() => {});

/**
 * The tab title of the signed-in app: the page's name (from the page registry, for every page),
 * then the record a record page shows — "客户 · 西安华达建设工程有限公司 — 工单".
 */
export function DocumentTitle({ page, children }: { page: string | undefined; children: ReactNode }) {
  const [record, setRecord] = useState<string | undefined>();
  useDocumentTitle([page, record].filter(Boolean).join(' · ') || undefined);
  return <RecordNameContext.Provider value={setRecord}>{children}</RecordNameContext.Provider>;
}

/** A record page names its record in the tab title (until it closes or shows another). */
export function useRecordTitle(name: string | null | undefined) {
  const setRecord = useContext(RecordNameContext);
  useEffect(() => {
    setRecord(name ?? undefined);
    return () => setRecord(undefined);
  }, [name, setRecord]);
}
