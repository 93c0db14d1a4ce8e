import { z } from 'zod';
import { reportQuery, type ReportDrill, type ReportRow } from '../../../common/schemas/reports';
import { RENEWAL_RATE_GROUPS } from '../../../common/schemas/renewals';
import { say } from '../../lib/label';
import { renewalRate } from '../renewals/renewals.service';
import { percent, sumCount, sumMoney } from './cells';
import { resolveFilters } from './filters';
import { defineReport } from './registry';

export const RenewalsReportQuery = reportQuery({
  /** A row per business line, per owner or per the owner's branch. */
  by: z.enum(RENEWAL_RATE_GROUPS).default('businessLine'),
});

const L = {
  title: { zh: '续约率', en: 'Renewal rate' },
  description: {
    zh: '期间内到期的续约：已发起、续约成功、未续约与进行中，续约率 = 成功 ÷（成功 + 未续约），按业务类型、负责人或分所',
    en: 'Renewals whose season falls in the period: raised, won, lost and open; rate = won ÷ (won + lost), by business line, owner or branch',
  },
  businessLine: { zh: '业务类型', en: 'Business line' },
  owner: { zh: '负责人', en: 'Owner' },
  branch: { zh: '分所', en: 'Branch' },
  raised: { zh: '已发起', en: 'Raised' },
  won: { zh: '续约成功', en: 'Won' },
  lost: { zh: '未续约', en: 'Lost' },
  open: { zh: '进行中', en: 'Open' },
  rate: { zh: '续约率', en: 'Renewal rate' },
  wonAmount: { zh: '续约金额', en: 'Amount won' },
  previousAmount: { zh: '上期金额', en: 'Last period’s amount' },
  total: { zh: '合计', en: 'Total' },
  noBranch: { zh: '未分配分所', en: 'No branch' },
  headline: {
    zh: '期间续约率 {rate}%：{won} 个续约成功，{lost} 个未续约',
    en: 'Renewal rate {rate}% in the period: {won} won, {lost} lost',
  },
};

/*
 * The figures are the renewals domain's rate (renewalRate: the raised renewals whose season falls in the period, as
 * the reader sees their opportunities), narrowed by the business line, owner and branch filters. Each figure drills
 * down to the renewals list (/renewals) with the season's range, the state and the row's business line or owner (the
 * list has no branch filter: a branch row drills by period and state only).
 */
export const renewalsReport = defineReport({
  kind: 'renewals',
  title: L.title,
  description: L.description,
  query: RenewalsReportQuery,
  async run(ctx, query) {
    const locale = ctx.actor.locale;
    const f = await resolveFilters(ctx, query);
    const by = query.by;
    const found = await renewalRate(
      ctx,
      { from: f.from, to: f.to, groupBy: by },
      { businessLineId: f.businessLineId, ownerId: f.ownerId, branchId: f.branchId },
    );
    const base: Record<string, string> = {
      dueFrom: f.from,
      dueTo: f.to,
      ...(f.businessLineId ? { businessLineId: f.businessLineId } : {}),
      ...(f.ownerId ? { ownerId: f.ownerId } : {}),
    };
    const drill = (key: string | null, state?: string): ReportDrill => {
      const own: Record<string, string> = {};
      if (key && by === 'businessLine') own.businessLineId = key;
      if (key && by === 'owner') own.ownerId = key;
      return { path: '/renewals', query: { ...base, ...own, ...(state ? { state } : {}) } };
    };
    const rows: ReportRow[] = found.map((r) => ({
      key: r.key ?? 'none',
      cells: {
        [by]: r.key === null && by === 'branch' ? say(L.noBranch, locale) : r.name,
        raised: r.raised,
        won: r.won,
        lost: r.lost,
        open: r.open,
        rate: r.rate,
        wonAmount: r.wonAmount,
        previousAmount: r.previousAmount,
      },
      drill:
        by === 'branch'
          ? undefined
          : {
              [by]: drill(r.key),
              raised: drill(r.key),
              won: drill(r.key, 'won'),
              lost: drill(r.key, 'lost'),
              open: drill(r.key, 'raised'),
            },
    }));
    const won = sumCount(rows, 'won');
    const lost = sumCount(rows, 'lost');
    const rate = percent(won, won + lost);
    return {
      kind: 'renewals',
      title: say(L.title, locale),
      from: f.from,
      to: f.to,
      filtersText: f.text,
      headline: rate === null ? null : say(L.headline, locale, { rate, won, lost }),
      tables: [
        {
          title: null,
          columns: [
            { key: by, label: say(L[by], locale), kind: 'text' },
            { key: 'raised', label: say(L.raised, locale), kind: 'count' },
            { key: 'won', label: say(L.won, locale), kind: 'count' },
            { key: 'lost', label: say(L.lost, locale), kind: 'count' },
            { key: 'open', label: say(L.open, locale), kind: 'count' },
            { key: 'rate', label: say(L.rate, locale), kind: 'percent' },
            { key: 'wonAmount', label: say(L.wonAmount, locale), kind: 'money' },
            { key: 'previousAmount', label: say(L.previousAmount, locale), kind: 'money' },
          ],
          rows,
          total: {
            key: 'total',
            cells: {
              [by]: say(L.total, locale),
              raised: sumCount(rows, 'raised'),
              won,
              lost,
              open: sumCount(rows, 'open'),
              rate,
              wonAmount: sumMoney(rows, 'wonAmount'),
              previousAmount: sumMoney(rows, 'previousAmount'),
            },
          },
        },
      ],
      chart: {
        type: 'stacked-bar',
        category: by,
        series: ['won', 'lost', 'open'],
        horizontal: by !== 'businessLine',
        tones: ['good', 'loss', 'open'],
      },
    };
  },
});
