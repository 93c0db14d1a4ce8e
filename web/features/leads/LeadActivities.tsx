import type { ActivityCategory } from '../../../common/schemas/activities';
import { leadsApi } from '../../api/resources';
import { useT } from '../../i18n';
import { ActivitiesCard } from '../activities/ActivitiesCard';

/** The light activities of a lead: 发送资料, 答疑, 电话, e-mail, visit, other (the heavier ones belong to opportunities). */
const LEAD_CATEGORIES: readonly ActivityCategory[] = ['materials', 'question', 'call', 'email', 'visit', 'other'];

export function LeadActivities({ leadId, editable }: { leadId: string; editable: boolean }) {
  const t = useT();
  return (
    <ActivitiesCard
      parent={{ leadId }}
      editable={editable}
      categories={LEAD_CATEGORIES}
      title={t('lead.activities')}
      invalidates={[leadsApi.path]}
    />
  );
}
