import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import type { MailLanguage, MailTemplateId } from '../../../../src/domain/mail-templates.js';
import { api } from '../../api';
import { Choice, ErrorNote, TextInput } from '../../components/fields';
import { TextAreaInput } from '../../components/text-area';
import { useChange } from '../../use-change';
import { LANGUAGE_NAMES } from './names';

interface TemplateList {
  languages: MailLanguage[];
  defaultLanguage: MailLanguage;
  templates: { id: MailTemplateId; description: string; variables: Record<string, string>; customised: string[] }[];
}
interface Template {
  subject: string;
  text: string;
  html: string | null;
  customised: boolean;
  variables: Record<string, string>;
}
interface Preview {
  subject: string;
  text: string;
  html: string;
}
const TEMPLATE_NAMES: Record<MailTemplateId, string> = {
  password_reset: 'Password reset',
  invitation: 'Invitation',
  approval: 'Account approved',
  lock_notice: 'Account locked',
  email_confirmation: 'Email confirmation',
  account_exists: 'Account exists',
  email_change: 'Email change',
};

/** The mails Gatehouse sends: pick one and a language, edit, preview, save or go back to the shipped one. */
export function MailTemplates() {
  const list = useQuery({ queryKey: ['mail-templates'], queryFn: () => api<TemplateList>('/mail-templates') });
  const [id, setId] = useState<MailTemplateId>('invitation');
  const [language, setLanguage] = useState<MailLanguage | null>(null);
  if (list.error) return <ErrorNote error={list.error} />;
  if (!list.data) return <p>Loading…</p>;
  const lang = language ?? list.data.defaultLanguage;
  const about = list.data.templates.find((t) => t.id === id);
  return (
    <section>
      <h2>Mail templates</h2>
      <div className="toolbar">
        <Choice
          label="Mail"
          value={id}
          onChange={setId}
          options={list.data.templates.map((t) => ({
            id: t.id,
            label: `${TEMPLATE_NAMES[t.id]}${t.customised.length ? ' (changed)' : ''}`,
          }))}
        />
        <Choice
          label="Language"
          value={lang}
          onChange={setLanguage}
          options={list.data.languages.map((l) => ({ id: l, label: LANGUAGE_NAMES[l] }))}
        />
      </div>
      {about && <p className="muted">{about.description}</p>}
      <TemplateEditor key={`${id}/${lang}`} id={id} language={lang} />
    </section>
  );
}

function TemplateEditor({ id, language }: { id: MailTemplateId; language: MailLanguage }) {
  const path = `/mail-templates/${id}/${language}`;
  const template = useQuery({ queryKey: ['mail-templates', id, language], queryFn: () => api<Template>(path) });
  if (template.error) return <ErrorNote error={template.error} />;
  if (!template.data) return <p>Loading…</p>;
  return <TemplateForm path={path} template={template.data} />;
}

function TemplateForm({ path, template }: { path: string; template: Template }) {
  const [subject, setSubject] = useState(template.subject);
  const [text, setText] = useState(template.text);
  const [html, setHtml] = useState(template.html ?? '');
  const [preview, setPreview] = useState<Preview | null>(null);
  const draft = () => ({ subject, text, html: html.trim() ? html : null });
  const save = useChange(() => api<Template>(path, { method: 'PUT', body: draft() }), {
    invalidate: [['mail-templates']],
    success: () => 'Mail template saved',
  });
  const reset = useChange(() => api(path, { method: 'DELETE' }), {
    invalidate: [['mail-templates']],
    success: () => 'Back to the shipped template',
  });
  const render = useChange(() => api<Preview>(`${path}/preview`, { method: 'POST', body: draft() }), {
    invalidate: [],
    done: setPreview,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(undefined);
  };
  return (
    <>
      <Form onSubmit={submit} className="template-form">
        <TextInput label="Subject" value={subject} onChange={setSubject} isRequired />
        <TextAreaInput label="Text" value={text} onChange={setText} rows={10} isRequired />
        <TextAreaInput
          label="HTML"
          value={html}
          onChange={setHtml}
          rows={6}
          description="Optional: the HTML body inside the mail layout; empty: made from the text"
        />
        <details className="variables">
          <summary>Variables this mail may use</summary>
          <dl className="facts">
            {Object.entries(template.variables).map(([name, about]) => (
              <div key={name} className="fact">
                <dt>
                  <code>{`{{${name}}}`}</code>
                </dt>
                <dd>{about}</dd>
              </div>
            ))}
          </dl>
        </details>
        <ErrorNote error={save.error ?? render.error ?? reset.error} />
        <div className="actions">
          <Button onPress={() => render.mutate(undefined)} isDisabled={render.isPending}>
            Preview
          </Button>
          <Button type="submit" className="primary" isDisabled={save.isPending}>
            Save template
          </Button>
          {template.customised && (
            <Button onPress={() => reset.mutate(undefined)} isDisabled={reset.isPending}>
              Go back to the shipped template
            </Button>
          )}
        </div>
      </Form>
      {preview && <MailPreview preview={preview} />}
    </>
  );
}

/**
 * The rendered mail with sample values, as text: its subject and text part, and the
 * HTML part's source (escaped by React, never rendered: the console's CSP allows no
 * inline style, which the mail layout uses, and a mail's HTML is not the console's).
 */
function MailPreview({ preview }: { preview: Preview }) {
  return (
    <section aria-labelledby="preview-heading" className="mail-preview">
      <h3 id="preview-heading">Preview</h3>
      <dl className="facts">
        <dt>Subject</dt>
        <dd>{preview.subject}</dd>
      </dl>
      <h4>Text part</h4>
      <pre className="mail-text">{preview.text}</pre>
      <details>
        <summary>HTML part (source)</summary>
        <pre className="mail-text">{preview.html}</pre>
      </details>
    </section>
  );
}
