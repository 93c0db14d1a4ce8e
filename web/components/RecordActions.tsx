import { App, Button, Popconfirm } from 'antd';
import { useWrite } from '../api/queries';
import { useT } from '../i18n';
import { useErrorToast } from './errors';

type Props = {
  record: { name: string; active: boolean };
  /** Sets `active` on the server. */
  setActive: (active: boolean) => Promise<unknown>;
  remove: () => Promise<unknown>;
  /** Collections whose cached reads the change affects. */
  invalidates: string[];
};

/**
 * Deactivate / activate and delete for a record that can be deactivated, each confirmed.
 * A refused delete (REFERENCE_IN_USE) shows the server's message, which suggests deactivating.
 */
export function ActiveAndDeleteActions({ record, setActive, remove, invalidates }: Props) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const toggle = useWrite(setActive, invalidates);
  const del = useWrite(() => remove(), invalidates);
  return (
    <>
      <Popconfirm
        title={t(record.active ? 'common.deactivate' : 'common.activate')}
        description={
          record.active ? (
            <div style={{ maxWidth: 300 }}>{t('common.deactivateConfirm', { name: record.name })}</div>
          ) : undefined
        }
        onConfirm={() =>
          toggle
            .mutateAsync(!record.active)
            .then(() => void message.success(t(record.active ? 'common.deactivated' : 'common.activated')))
            .catch(toast)
        }
      >
        <Button type="link" size="small" loading={toggle.isPending}>
          {t(record.active ? 'common.deactivate' : 'common.activate')}
        </Button>
      </Popconfirm>
      <Popconfirm
        title={t('common.delete')}
        description={<div style={{ maxWidth: 300 }}>{t('common.deleteConfirm', { name: record.name })}</div>}
        okButtonProps={{ danger: true }}
        onConfirm={() =>
          del
            .mutateAsync(undefined)
            .then(() => void message.success(t('common.deleted')))
            .catch(toast)
        }
      >
        <Button type="link" size="small" danger loading={del.isPending}>
          {t('common.delete')}
        </Button>
      </Popconfirm>
    </>
  );
}
