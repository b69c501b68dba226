import {
  Button,
  DescriptionList,
  DescriptionListItem,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  List,
  LoadingSpinner,
  Statistics,
  StatisticsItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { useEffect, useState } from 'react';
import type { CardContract, ScoredCard } from '../contract/types.ts';
import { CONFIDENCE_LABELS, ROUTE_LABELS, TIER_VARIANTS, formatTime } from './labels.ts';

type View =
  | { readonly kind: 'loading' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'card'; readonly card: CardContract };

export interface ScoreCardProps {
  /** Loads this record's card; called again on retry. */
  readonly load: () => Promise<CardContract>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}

function percentText(value: number | null): string {
  return value === null ? 'n/a' : String(value);
}

function Scored({ card }: { readonly card: ScoredCard }) {
  const history = [...card.history].reverse();
  return (
    <Flex direction="column" gap="sm">
      <Statistics>
        <StatisticsItem testId="score" label="Lead score" number={card.score}>
          <Tag testId="tier" variant={TIER_VARIANTS[card.tier]}>
            {`Tier ${card.tier}`}
          </Tag>
        </StatisticsItem>
      </Statistics>
      <DescriptionList direction="row">
        <DescriptionListItem label="Fit">
          <Text testId="fit">{percentText(card.fitScore)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Engagement">
          <Text testId="engagement">{percentText(card.engagementScore)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Confidence">
          <Tag testId="confidence" variant={card.confidence === 'low' ? 'warning' : 'default'}>
            {CONFIDENCE_LABELS[card.confidence]}
          </Tag>
        </DescriptionListItem>
        <DescriptionListItem label="Route">
          <Text testId="route">{ROUTE_LABELS[card.route]}</Text>
        </DescriptionListItem>
      </DescriptionList>
      <Divider />
      <Heading>Why</Heading>
      {card.reasons.length === 0 ? (
        <Text testId="no-reasons">No reasons recorded for this score.</Text>
      ) : (
        <List variant="unordered">
          {card.reasons.map((reason, i) => (
            <Text key={i} testId={`reason-${i}`}>
              {`${reason.direction === 'positive' ? '▲' : '▼'} ${reason.text}`}
            </Text>
          ))}
        </List>
      )}
      <Divider />
      <Heading>History</Heading>
      <Table testId="history" density="compact">
        <TableHead>
          <TableRow>
            <TableHeader>Scored</TableHeader>
            <TableHeader>Score</TableHeader>
            <TableHeader>Tier</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {history.map((point, i) => (
            <TableRow key={point.scoredAt} testId={`history-${i}`}>
              <TableCell>{formatTime(point.scoredAt)}</TableCell>
              <TableCell>{String(point.score)}</TableCell>
              <TableCell>{point.tier}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Text testId="provenance" variant="microcopy">
        {`${card.modelVersion === null ? 'Scored by rules (no model yet)' : `Model ${card.modelVersion}`} · ${formatTime(card.scoredAt)}`}
      </Text>
    </Flex>
  );
}

/**
 * The lead-score card: loading, error with retry, not scored, not found, or the score with its
 * reasons and history. It only renders; the entry point wires `load` to hubspot.fetch, so tests
 * drive every state with a plain function.
 */
export function ScoreCard({ load }: ScoreCardProps) {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setView({ kind: 'loading' });
    load().then(
      (card) => {
        if (current) setView({ kind: 'card', card });
      },
      (error: unknown) => {
        if (current) setView({ kind: 'error', message: messageOf(error) });
      },
    );
    // A retry or a new record replaces the request: drop the answer of the old one.
    return () => {
      current = false;
    };
  }, [load, attempt]);

  switch (view.kind) {
    case 'loading':
      return <LoadingSpinner testId="loading" label="Loading lead score" showLabel={true} />;
    case 'error':
      return (
        <ErrorState testId="error" title="Could not load the lead score">
          <Text>{view.message}</Text>
          <Button
            testId="retry"
            onClick={() => {
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </Button>
        </ErrorState>
      );
    case 'card':
      if (view.card.state === 'scored') return <Scored card={view.card} />;
      if (view.card.state === 'not_scored')
        return (
          <EmptyState testId="not-scored" title="Not scored yet" imageName="leads" flush={true}>
            <Text>leadgate knows this contact but has not scored it yet. Check back in a few minutes.</Text>
          </EmptyState>
        );
      return (
        <EmptyState testId="not-found" title="Not in leadgate" imageName="contacts" flush={true}>
          <Text>leadgate has no record of this contact for this account.</Text>
        </EmptyState>
      );
  }
}
