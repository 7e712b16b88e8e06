import type { Context } from 'hono';
import { notAirableReason } from '../../../domain/announcement.js';
import {
  DISASTER_CATEGORY,
  HAZARD_TYPES,
  RISK_LEVEL_COLOURS,
  RISK_LEVELS,
} from '../../../domain/disaster.js';
import { communeOf, hamletsOf, languageName } from '../commune.js';
import type { WebDeps } from '../deps.js';
import { disasterMessages, type DisasterMessages } from '../disaster-messages.js';
import { many, one, type FormProblem, type FormValues } from '../forms.js';
import { pageContext, sendPage, signedIn, type PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Choices, Csrf, FormError, SelectField, TextField } from '../form-fields.js';
import { Layout } from '../ui.js';
import { RiskLevelBadge } from './disaster.js';
import { ContentFields } from './content-fields.js';

/** The five levels as radio buttons, each in the decision's colour. */
function RiskLevels({
  p,
  dm,
  value,
  error,
}: {
  p: PageContext;
  dm: DisasterMessages;
  value: string;
  error?: string | undefined;
}) {
  return (
    <fieldset class={error ? 'field choices has-error' : 'field choices'} id="riskLevel">
      <legend>{dm.riskLevel}</legend>
      {RISK_LEVELS.map((level) => (
        <label class="choice" for={`riskLevel-${level}`}>
          <input
            type="radio"
            id={`riskLevel-${level}`}
            name="riskLevel"
            value={String(level)}
            checked={value === String(level)}
          />
          <span>
            <RiskLevelBadge p={p} level={level} /> {RISK_LEVEL_COLOURS[level].nameVi}
          </span>
        </label>
      ))}
      {error ? (
        <p class="field-error" id="riskLevel-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * The form of `/giam-sat/thien-tai/ban-tin` with `values` filled in and `problem`'s messages beside the
 * fields: the event, hazard, risk level, agency, issuing time, content and hamlets.
 */
export async function renderDisasterForm(
  services: WebDeps['services'],
  c: Context,
  values: FormValues,
  problem?: FormProblem,
) {
  const ctx = signedIn(c);
  const p = pageContext(c);
  const dm = disasterMessages(p.lang);
  const m = p.m;
  const errors = problem?.fields ?? {};
  const [commune, hamlets, events, recent] = await Promise.all([
    communeOf(services, ctx),
    hamletsOf(services, ctx),
    services.disaster.listEvents(ctx, 'active'),
    services.announcements.list(ctx, { withdrawn: false, newestFirst: true, limit: 200 }),
  ]);
  // Disaster content that can air, or is being processed (the one just made, when going back to edit).
  const offered = recent.items
    .filter((a) => a.category === DISASTER_CATEGORY)
    .filter((a) => [null, 'processing'].includes(notAirableReason(a)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return sendPage(
    c,
    <Layout p={p} title={dm.issueTitle} scripts={['toggle.js', 'compose.js']}>
      <p class="hint">{dm.issueIntro}</p>
      <form method="post" action={paths.disasterIssue} enctype="multipart/form-data" novalidate>
        <Csrf p={p} />
        <FormError message={problem?.general} />
        <Choices
          type="radio"
          name="event"
          label={dm.event}
          options={[...events.map((e) => [e.id, e.name] as const), ['new', dm.newEvent] as const]}
          checked={[one(values, 'event') || 'new']}
          error={errors.event}
        />
        <div data-show-if="event=new">
          <TextField
            name="eventName"
            label={dm.eventName}
            value={one(values, 'eventName')}
            maxlength={200}
            error={errors.eventName}
          />
        </div>
        <SelectField
          name="hazardType"
          label={dm.hazardType}
          value={one(values, 'hazardType')}
          // A bulletin of an event on the air is of its hazard unless one is picked: a default carried
          // over from another event would mislabel it.
          options={[
            ...(events.length > 0 ? [['', dm.hazardOfEvent] as const] : []),
            ...HAZARD_TYPES.map((t) => [t, m.hazard[t] ?? t] as const),
          ]}
          error={errors.hazardType}
        />
        <RiskLevels p={p} dm={dm} value={one(values, 'riskLevel')} error={errors.riskLevel} />
        <TextField
          name="agency"
          label={dm.agency}
          hint={dm.agencyHint}
          value={one(values, 'agency')}
          maxlength={200}
          error={errors.agency}
        />
        <div class="two">
          <TextField
            name="issuedDate"
            type="date"
            label={dm.issuedDate}
            value={one(values, 'issuedDate')}
            error={errors.issuedDate}
          />
          <TextField
            name="issuedTime"
            type="time"
            label={dm.issuedTime}
            hint={dm.issuedHint}
            value={one(values, 'issuedTime')}
            error={errors.issuedTime}
          />
        </div>
        <ContentFields
          m={m}
          values={values}
          errors={errors}
          offered={offered}
          languages={commune.settings.languages.map((l) => [l.code, languageName(commune, l.code)] as const)}
        />
        <Choices
          type="checkbox"
          name="hamletIds"
          label={m.hamlets}
          options={[['all', m.allHamlets] as const, ...hamlets.map((h) => [h.id, h.name] as const)]}
          checked={many(values, 'hamletIds')}
          error={errors.hamletIds}
        />
        <button type="submit" class="danger">
          {m.continue}
        </button>
      </form>
    </Layout>,
    problem?.status ?? 200,
  );
}
