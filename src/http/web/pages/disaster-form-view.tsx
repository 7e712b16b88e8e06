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
import { Choices, Csrf, FormError, SelectField, TextArea, TextField } from '../form-fields.js';
import { Layout } from '../ui.js';
import { RiskLevelBadge } from './disaster.js';

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
    services.announcements.list(ctx, { limit: 200 }),
  ]);
  // Disaster content that can air, or is being processed (the one just made, when going back to edit).
  const offered = recent.items
    .filter((a) => a.category === DISASTER_CATEGORY)
    .filter((a) => [null, 'processing'].includes(notAirableReason(a)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return sendPage(
    c,
    <Layout p={p} title={dm.issueTitle} scripts={['toggle.js']}>
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
          value={one(values, 'hazardType') || 'storm'}
          options={HAZARD_TYPES.map((t) => [t, m.hazard[t] ?? t] as const)}
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
        <Choices
          type="radio"
          name="content"
          label={m.contentSource}
          options={[
            ['text', m.contentText],
            ['audio', m.contentAudio],
            ['existing', m.contentExisting],
          ]}
          checked={[one(values, 'content') || 'text']}
          error={errors.content}
        />
        <div data-show-if="content=existing">
          <SelectField
            name="announcementId"
            label={m.announcement}
            value={one(values, 'announcementId')}
            options={[['', m.none] as const, ...offered.map((a) => [a.id, a.title] as const)]}
            error={errors.announcementId}
          />
        </div>
        <div data-show-if="content=text|audio">
          <TextField
            name="title"
            label={m.titleOptional}
            hint={m.titleAuto}
            value={one(values, 'title')}
            maxlength={200}
            error={errors.title}
          />
        </div>
        <div data-show-if="content=text">
          <TextArea
            name="text"
            label={m.text}
            value={one(values, 'text')}
            maxlength={5000}
            rows={5}
            error={errors.text}
          />
        </div>
        <div data-show-if="content=audio">
          <div class={errors.file ? 'field has-error' : 'field'}>
            <label for="file">{m.file}</label>
            <input
              id="file"
              name="file"
              type="file"
              accept="audio/*,.amr,.3gp,.m4a,.opus,.webm"
              aria-invalid={errors.file ? 'true' : undefined}
            />
            {errors.file ? (
              <p class="field-error" id="file-error">
                {errors.file}
              </p>
            ) : null}
          </div>
          <SelectField
            name="language"
            label={m.language}
            value={one(values, 'language') || 'vi'}
            options={commune.settings.languages.map((l) => [l.code, languageName(commune, l.code)] as const)}
            error={errors.language}
          />
        </div>
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
