import { CloseCircleOutlined, TrophyOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Card, Dropdown, Flex, Skeleton, Tooltip, Typography } from 'antd';
import { memo, useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import { Link } from 'react-router';
import type { Board, BoardCard, Stage } from '../../../common/schemas/opportunities';
import { opportunitiesApi, type BoardParams, type OpportunityFilterParams } from '../../api/resources';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { EmptyState } from '../../components/EmptyState';
import { firmToday, formatDate } from '../../components/format';
import { useIsMobile } from '../../components/responsive';
import { useLocale, useT } from '../../i18n';
import { formatMoney, formatMoneyShort, sumMoney } from '../../components/money';
import { useStageMove } from './move';
import { byPosition, daysSince, stageName, usePipeline } from './opportunity-ui';
import { VirtualList } from './VirtualList';

/** Card height and the gap under it: the virtual list needs one fixed row height (the name may take two lines). */
const CARD_HEIGHT = 126;
const ROW_HEIGHT = CARD_HEIGHT + 8;
/**
 * Columns share the board's width (so the default pipeline's five open stages and the 赢单/输单
 * zones beside them fit a 1280 px screen with the menu open) but never get narrower than this —
 * more stages scroll, under the zones never.
 */
const COLUMN_MIN_WIDTH = 150;
const COLUMN_MAX_WIDTH = 320;
const CLOSING_WIDTH = 136;
/** Cards the server sends per column (it counts and sums the whole column either way). */
const PER_STAGE = 2000;
const DRAG_TYPE = 'application/x-gongdan-opportunity';

type Column = Board['columns'][number];
type Dragging = { card: BoardCard; fromStageId: string };

const ELLIPSIS = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } as const;
/** Up to two lines, then an ellipsis. */
const TWO_LINES = {
  overflow: 'hidden',
  display: '-webkit-box',
  WebkitBoxOrient: 'vertical',
  WebkitLineClamp: 2,
  overflowWrap: 'anywhere',
} as const;
const SECONDARY = 'rgba(0,0,0,0.45)';

/**
 * One card. Plain elements only (no antd Typography / Tooltip / Dropdown per card): a column
 * scrolling through thousands of cards mounts a dozen of these per frame.
 */
const OpportunityCard = memo(function OpportunityCard({
  card,
  stageId,
  draggable,
  today,
  daysLabel,
  onDragStart,
  onDragEnd,
  onContextMenu,
}: {
  card: BoardCard;
  stageId: string;
  draggable: boolean;
  today: string;
  daysLabel: (days: number) => string;
  onDragStart: (event: DragEvent, card: BoardCard, stageId: string) => void;
  onDragEnd: () => void;
  onContextMenu: (event: MouseEvent, card: BoardCard, stageId: string) => void;
}) {
  const { locale } = useLocale();
  const days = daysSince(card.stageEnteredAt);
  const overdue = card.expectedCloseOn !== null && card.expectedCloseOn < today;
  return (
    <div
      draggable={draggable}
      onDragStart={(event) => onDragStart(event, card, stageId)}
      onDragEnd={onDragEnd}
      onContextMenu={draggable ? (event) => onContextMenu(event, card, stageId) : undefined}
      data-testid="board-card"
      data-id={card.id}
      style={{
        height: CARD_HEIGHT,
        boxSizing: 'border-box',
        background: '#fff',
        border: '1px solid #e8e8e8',
        borderRadius: 6,
        padding: '8px 10px',
        cursor: draggable ? 'grab' : 'default',
        display: 'flex',
        flexDirection: 'column',
        gap: 2,
        boxShadow: '0 1px 2px rgba(0,0,0,0.04)',
        userSelect: 'none',
        fontSize: 12,
        lineHeight: '20px',
      }}
    >
      {/* The name on up to two lines (the whole of it on hover), the customer on the line under it. */}
      <Link
        to={`/opportunities/${card.id}`}
        draggable={false}
        style={{ ...TWO_LINES, fontWeight: 600, fontSize: 14, lineHeight: '22px', flex: 'none', maxHeight: 44 }}
        title={card.name}
        data-testid="card-name"
      >
        {card.name}
      </Link>
      <span style={{ ...ELLIPSIS, color: SECONDARY }} title={card.customerName} data-testid="card-customer">
        {card.customerName}
      </span>
      <span style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
        <span style={ELLIPSIS}>{card.ownerName}</span>
        <strong data-testid="card-amount" style={{ whiteSpace: 'nowrap' }}>
          {formatMoney(card.expectedAmount)}
        </strong>
      </span>
      <span style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
        <span
          data-testid="card-close"
          data-overdue={overdue || undefined}
          style={{ color: overdue ? '#ff4d4f' : card.expectedCloseOn ? undefined : SECONDARY }}
        >
          {card.expectedCloseOn ? formatDate(card.expectedCloseOn, locale) : '—'}
        </span>
        <span data-testid="card-days" style={{ color: days > 30 ? '#d48806' : SECONDARY }}>
          {daysLabel(days)}
        </span>
      </span>
    </div>
  );
});

function ColumnHeader({ column, locale }: { column: Column; locale: 'zh-CN' | 'en-US' }) {
  const t = useT();
  return (
    <Flex vertical gap={2} style={{ padding: '8px 10px', borderBottom: '1px solid #e8e8e8' }}>
      <Flex justify="space-between" align="center" gap={8}>
        {/* A narrow column cuts a long name: all of it on hover. */}
        <Typography.Text strong ellipsis={{ tooltip: stageName(column.stage, locale) }}>
          {stageName(column.stage, locale)}
        </Typography.Text>
        <Flex gap={6} align="center" style={{ flex: 'none' }}>
          <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
            {column.stage.probability}%
          </Typography.Text>
          <Badge
            count={column.count}
            showZero
            overflowCount={99999}
            color={column.count ? '#1f5fbf' : '#bfbfbf'}
            data-testid="column-count"
          />
        </Flex>
      </Flex>
      {/* One line each, however narrow the column: the label gives way (the tooltips say what they are). */}
      <Flex justify="space-between" gap={6} style={{ fontSize: 12, whiteSpace: 'nowrap', minWidth: 0 }}>
        <Tooltip title={t('board.totalHint')}>
          <Typography.Text style={{ fontSize: 12, flex: 'none' }} data-testid="column-total">
            Σ {formatMoneyShort(column.totalAmount)}
          </Typography.Text>
        </Tooltip>
        <Tooltip title={t('board.weightedHint')}>
          <Typography.Text
            type="secondary"
            ellipsis
            style={{ fontSize: 12, minWidth: 0 }}
            data-testid="column-weighted"
          >
            {t('board.weighted')} {formatMoneyShort(column.weightedAmount)}
          </Typography.Text>
        </Tooltip>
      </Flex>
    </Flex>
  );
}

/** Moves a card between the columns of a cached board (the optimistic part of a drop). */
function moveCard(board: Board, cardId: string, fromStageId: string, toStageId: string): Board {
  let moved: BoardCard | undefined;
  const columns = board.columns.map((c) => {
    if (c.stage.id !== fromStageId) return c;
    moved = c.cards.find((card) => card.id === cardId);
    return { ...c, count: c.count - 1, cards: c.cards.filter((card) => card.id !== cardId) };
  });
  if (!moved) return board;
  const card = { ...moved, stageEnteredAt: new Date().toISOString() };
  return {
    ...board,
    columns: columns.map((c) =>
      c.stage.id === toStageId ? { ...c, count: c.count + 1, cards: [card, ...c.cards] } : c,
    ),
  };
}

/** The kanban board of one business line: a column per open stage, 赢单 and 输单 as drop zones at the end. */
export function OpportunityBoard({
  filters,
  businessLineId,
  writable,
  onCreate,
}: {
  filters: OpportunityFilterParams;
  businessLineId: string;
  writable: boolean;
  onCreate?: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const mobile = useIsMobile();
  const { move, element } = useStageMove({ linkToOpportunity: true });
  const params: BoardParams = { ...filters, businessLineId, perStage: PER_STAGE };
  const key = [opportunitiesApi.path, 'board', params];
  const board = useQuery({
    queryKey: key,
    queryFn: () => opportunitiesApi.board(params),
    placeholderData: keepPreviousData,
  });
  const pipeline = usePipeline(businessLineId);
  const [dragging, setDragging] = useState<Dragging | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const draggingRef = useRef<Dragging | null>(null);
  const [menu, setMenu] = useState<{ card: BoardCard; stageId: string; x: number; y: number } | null>(null);
  const today = firmToday();
  const daysLabel = useCallback((days: number) => t('board.days', { days }), [t]);
  const onCardDragStart = useCallback((event: DragEvent, card: BoardCard, fromStageId: string) => {
    event.dataTransfer.setData(DRAG_TYPE, card.id);
    event.dataTransfer.setData('text/plain', card.name);
    event.dataTransfer.effectAllowed = 'move';
    const current = { card, fromStageId };
    draggingRef.current = current;
    setDragging(current);
  }, []);
  const onCardDragEnd = useCallback(() => {
    draggingRef.current = null;
    setDragging(null);
    setOver(null);
  }, []);
  /** Right click on a card: one "move to" menu for the whole board, at the pointer. */
  const onCardContextMenu = useCallback((event: MouseEvent, card: BoardCard, stageId: string) => {
    event.preventDefault();
    setMenu({ card, stageId, x: event.clientX, y: event.clientY });
  }, []);

  const openColumns = useMemo(
    () =>
      (board.data?.columns ?? []).filter((c) => c.stage.kind === 'open').sort((a, b) => byPosition(a.stage, b.stage)),
    [board.data],
  );
  /** 赢单 / 输单: from the board when it sends them, else from the pipeline (drop zones without cards). */
  const closingStages = useMemo(() => {
    const fromBoard = (board.data?.columns ?? []).filter((c) => c.stage.kind !== 'open').map((c) => c.stage);
    const stages = fromBoard.length
      ? fromBoard
      : (pipeline.data?.stages ?? []).filter((s) => s.kind !== 'open' && s.active);
    return [...stages].sort((a, b) => (a.kind === b.kind ? byPosition(a, b) : a.kind === 'won' ? -1 : 1));
  }, [board.data, pipeline.data]);
  const allStages = useMemo(() => [...openColumns.map((c) => c.stage), ...closingStages], [openColumns, closingStages]);
  const closingColumn = (stageId: string) => board.data?.columns.find((c) => c.stage.id === stageId);

  const drop = async (card: BoardCard, fromStageId: string, stage: Stage) => {
    if (stage.id === fromStageId) return;
    await queryClient.cancelQueries({ queryKey: key });
    const before = queryClient.getQueryData<Board>(key);
    if (before) queryClient.setQueryData<Board>(key, moveCard(before, card.id, fromStageId, stage.id));
    const result = await move({ id: card.id, name: card.name }, stage);
    if (!result && before) queryClient.setQueryData<Board>(key, before); // roll back
  };

  const dragProps = (stage: Stage) => ({
    onDragOver: (event: DragEvent) => {
      if (!draggingRef.current || draggingRef.current.fromStageId === stage.id) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      if (over !== stage.id) setOver(stage.id);
    },
    onDragLeave: (event: DragEvent) => {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null))
        setOver((o) => (o === stage.id ? null : o));
    },
    onDrop: (event: DragEvent) => {
      event.preventDefault();
      const current = draggingRef.current;
      draggingRef.current = null;
      setDragging(null);
      setOver(null);
      if (current) void drop(current.card, current.fromStageId, stage);
    },
    'data-testid': 'board-column',
    'data-stage-id': stage.id,
    'data-stage-kind': stage.kind,
  });

  if (board.isPending) {
    return (
      <Flex gap={12} style={{ overflow: 'hidden' }}>
        {Array.from({ length: 5 }, (_, i) => (
          <Card key={i} size="small" style={{ flex: '1 1 0', minWidth: COLUMN_MIN_WIDTH, maxWidth: COLUMN_MAX_WIDTH }}>
            <Skeleton active paragraph={{ rows: 6 }} />
          </Card>
        ))}
      </Flex>
    );
  }
  if (failedWithoutData(board)) return <LoadError query={board} />;

  const totalCount = openColumns.reduce((n, c) => n + c.count, 0);
  const columnHeight = 'max(360px, calc(100vh - 390px))';

  return (
    <Flex vertical gap={8}>
      <Flex gap={16} wrap align="center" data-testid="board-summary">
        <Typography.Text>{t('board.summary', { count: totalCount })}</Typography.Text>
        <Typography.Text>
          {t('board.sumAmount')}
          <Typography.Text strong>{formatMoney(sumMoney(openColumns.map((c) => c.totalAmount)))}</Typography.Text>
        </Typography.Text>
        <Typography.Text>
          {t('board.sumWeighted')}
          <Typography.Text strong>{formatMoney(sumMoney(openColumns.map((c) => c.weightedAmount)))}</Typography.Text>
        </Typography.Text>
        {writable && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(mobile ? 'board.tapHint' : 'board.dragHint')}
          </Typography.Text>
        )}
      </Flex>
      {totalCount === 0 && (
        <EmptyState
          title={t('board.empty')}
          hint={writable ? t('board.emptyHint') : undefined}
          action={
            writable && onCreate ? (
              <Button type="primary" onClick={onCreate}>
                {t('opp.create')}
              </Button>
            ) : undefined
          }
        />
      )}
      {/*
        The stage columns scroll sideways in their own box; 赢单 / 输单 stand beside it (under it on a
        phone), so they stay in view however far the columns scroll and never cover one.
      */}
      <Flex gap={12} vertical={mobile} align="stretch">
        <div style={{ overflowX: 'auto', paddingBottom: 8, flex: 1, minWidth: 0 }} data-testid="board">
          {/* As wide as the columns at their narrowest (their headers' one-line sums would ask for more). */}
          <Flex
            gap={12}
            align="flex-start"
            style={{ minWidth: openColumns.length * (COLUMN_MIN_WIDTH + 12) - 12, width: '100%' }}
          >
            {openColumns.map((column) => {
              const isOver = over === column.stage.id;
              return (
                <div
                  key={column.stage.id}
                  {...dragProps(column.stage)}
                  style={{
                    flex: '1 1 0',
                    minWidth: COLUMN_MIN_WIDTH,
                    maxWidth: COLUMN_MAX_WIDTH,
                    background: isOver ? '#e6f0ff' : '#fafafa',
                    border: `1px solid ${isOver ? '#1f5fbf' : '#f0f0f0'}`,
                    borderRadius: 8,
                    transition: 'background 0.15s',
                  }}
                >
                  <ColumnHeader column={column} locale={locale} />
                  <VirtualList
                    items={column.cards}
                    rowHeight={ROW_HEIGHT}
                    itemKey={(card) => card.id}
                    style={{ height: columnHeight, padding: '8px 8px 0' }}
                    data-testid="board-column-cards"
                    renderItem={(card) => (
                      <OpportunityCard
                        card={card}
                        stageId={column.stage.id}
                        draggable={writable}
                        today={today}
                        daysLabel={daysLabel}
                        onDragStart={onCardDragStart}
                        onDragEnd={onCardDragEnd}
                        onContextMenu={onCardContextMenu}
                      />
                    )}
                    footer={
                      column.count > column.cards.length ? (
                        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, padding: 8 }}>
                          {t('board.more', { shown: column.cards.length, count: column.count })}
                        </Typography.Text>
                      ) : column.count === 0 ? (
                        <Typography.Text
                          type="secondary"
                          style={{ display: 'block', fontSize: 12, textAlign: 'center', padding: 16 }}
                        >
                          {t('board.columnEmpty')}
                        </Typography.Text>
                      ) : null
                    }
                  />
                </div>
              );
            })}
          </Flex>
        </div>
        {/* A read-only board (finance) has no 赢单 / 输单 zones. */}
        <Flex
          vertical={!mobile}
          gap={12}
          style={{ flex: 'none', display: writable ? undefined : 'none' }}
          data-testid="board-closing"
        >
          {(writable ? closingStages : []).map((stage) => {
            const isOver = over === stage.id;
            const won = stage.kind === 'won';
            const column = closingColumn(stage.id);
            const color = won ? '#389e0d' : '#8c8c8c';
            return (
              <div
                key={stage.id}
                {...dragProps(stage)}
                style={{
                  width: mobile ? undefined : CLOSING_WIDTH,
                  flex: mobile ? 1 : undefined,
                  minWidth: 0,
                  height: mobile ? 'auto' : 150,
                  boxSizing: 'border-box',
                  border: `2px dashed ${isOver ? color : '#d9d9d9'}`,
                  background: isOver ? (won ? '#f6ffed' : '#f5f5f5') : dragging ? '#fff' : '#fafafa',
                  borderRadius: 8,
                  display: 'flex',
                  flexDirection: 'column',
                  alignItems: 'center',
                  justifyContent: 'center',
                  gap: 6,
                  padding: 8,
                  textAlign: 'center',
                }}
              >
                <span style={{ fontSize: 24, color }}>{won ? <TrophyOutlined /> : <CloseCircleOutlined />}</span>
                <Typography.Text strong style={{ color }}>
                  {stageName(stage, locale)}
                </Typography.Text>
                {column ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('board.closedCount', { count: column.count })} · {formatMoneyShort(column.totalAmount)}
                  </Typography.Text>
                ) : null}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(won ? 'board.dropToWin' : 'board.dropToLose')}
                </Typography.Text>
              </div>
            );
          })}
        </Flex>
      </Flex>
      {menu && (
        <Dropdown
          open
          trigger={['click']}
          onOpenChange={(open) => !open && setMenu(null)}
          menu={{
            items: [
              { key: 'title', type: 'group', label: t('board.moveTo') },
              ...allStages
                .filter((st) => st.id !== menu.stageId)
                .map((st) => ({ key: st.id, label: stageName(st, locale), danger: st.kind === 'lost' })),
            ],
            onClick: ({ key }) => {
              const stage = allStages.find((st) => st.id === key);
              setMenu(null);
              if (stage) void drop(menu.card, menu.stageId, stage);
            },
          }}
        >
          <div
            style={{ position: 'fixed', left: menu.x, top: menu.y, width: 1, height: 1 }}
            data-testid="card-menu-anchor"
          />
        </Dropdown>
      )}
      {element}
    </Flex>
  );
}
