/**
 * Notes on records (SPEC `/v2/notes`: create, list by parent, get, delete; there is no update). Kept apart from
 * workspace.ts, which owns the records the notes hang on and calls in here.
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from './model';

export interface NoteRow {
  id: string;
  parentObjectId: string;
  parentRecordId: string;
  title: string;
  contentMarkdown: string;
  contentPlaintext: string;
  createdAt: string;
  createdBy: Actor;
}

/** SPEC `GET /v2/notes` `limit`: "The default is `10` and the maximum is `50`." */
export const NOTES_LIMIT = { default: 10, max: 50 };

/**
 * The plaintext Attio derives from markdown (SPEC: headings, lists, bold, italic, strikethrough, highlight, links).
 * GUESS: markers are dropped and a link keeps its text; Attio does not document the conversion.
 */
export function markdownToPlaintext(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line
        .replace(/^#{1,3}\s+/, '')
        .replace(/^\s*(?:[-*+]|\d+\.)\s+/, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/(\*\*|__|~~|==)(.+?)\1/g, '$2')
        .replace(/([*_])(.+?)\1/g, '$2'),
    )
    .join('\n');
}

/** Plaintext in a markdown note is escaped by nobody: Attio stores the two representations of one content. */
export function newNote(input: {
  parentObjectId: string;
  parentRecordId: string;
  title: string;
  format: 'plaintext' | 'markdown';
  content: string;
  createdAt: string;
  createdBy: Actor;
}): NoteRow {
  return {
    id: randomUUID(),
    parentObjectId: input.parentObjectId,
    parentRecordId: input.parentRecordId,
    title: input.title,
    contentMarkdown: input.content,
    contentPlaintext: input.format === 'markdown' ? markdownToPlaintext(input.content) : input.content,
    createdAt: input.createdAt,
    createdBy: input.createdBy,
  };
}

/** SPEC `note` schema, every required field. */
export function noteJson(note: NoteRow, workspaceId: string, parentObjectSlug: string) {
  return {
    id: { workspace_id: workspaceId, note_id: note.id },
    parent_object: parentObjectSlug,
    parent_record_id: note.parentRecordId,
    title: note.title,
    meeting_id: null,
    content_plaintext: note.contentPlaintext,
    content_markdown: note.contentMarkdown,
    tags: [],
    created_by_actor: note.createdBy,
    created_at: note.createdAt,
  };
}
