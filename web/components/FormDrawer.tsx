import { Button, Drawer, Flex } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n';
import { useIsMobile } from './responsive';

type Props = {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  /** Usually `() => form.submit()`. */
  onSave: () => void;
  saving: boolean;
  width?: number;
  /** `data-testid` of the save button. */
  saveTestId?: string;
  children: ReactNode;
};

/** The drawer every create/edit form lives in: the form, and Cancel / Save at the bottom (a phone's whole width). */
export function FormDrawer({ open, title, onClose, onSave, saving, width = 640, saveTestId, children }: Props) {
  const t = useT();
  const mobile = useIsMobile();
  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={mobile ? '100%' : width}
      destroyOnHidden
      title={title}
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" onClick={onSave} loading={saving} data-testid={saveTestId}>
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      {children}
    </Drawer>
  );
}
