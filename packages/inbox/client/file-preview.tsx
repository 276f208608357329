/**
 * The files an agent chose, dropped or pasted, shown before anything leaves: name, size, a thumbnail for
 * an image, an optional caption, Send and Cancel. Nothing is sent until Send; the reply box sends.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { T } from './i18n.js';
import { FileIcon } from './icons.js';

const IMAGE_TYPE = /^image\/(png|jpeg|gif|webp)$/;

export function fileSize(t: T, bytes: number): string {
  const number = new Intl.NumberFormat(t('locale'), { maximumFractionDigits: 1 });
  return bytes < 1024 * 1024
    ? `${number.format(Math.max(1, Math.ceil(bytes / 1024)))} ${t('kb')}`
    : `${number.format(bytes / 1024 / 1024)} ${t('mb')}`;
}

/** An image drawn from the file itself through an object URL (the CSP's `img-src blob:`), freed after. */
function Thumb({ file }: { file: File }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return url ? <img class="thumb" src={url} alt="" /> : null;
}

interface Props {
  t: T;
  files: File[];
  caption: string;
  /** Why the caption cannot go (too long), shown under it. */
  captionProblem: string | null;
  onCaption: (caption: string) => void;
  onRemove: (index: number) => void;
  onSend: () => void;
  onCancel: () => void;
}

export function FilePreview({
  t,
  files,
  caption,
  captionProblem,
  onCaption,
  onRemove,
  onSend,
  onCancel,
}: Props) {
  const captionBox = useRef<HTMLTextAreaElement>(null);
  // Opened by the agent's own choice (or paste) of files: the caption takes the focus, so what they type
  // next is its text, Enter sends and Esc cancels — in the render's own task (a layout effect): a plain
  // effect waits for the next frame, and an Enter pressed before it went to the reply box as a new line.
  useLayoutEffect(() => captionBox.current?.focus(), []);
  return (
    <fieldset
      class="file-preview"
      aria-label={t('filesToSend')}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onCancel();
      }}
    >
      <ul>
        {files.map((file, i) => (
          <li key={`${file.name}:${file.size}:${file.lastModified}:${i}`}>
            {IMAGE_TYPE.test(file.type) ? <Thumb file={file} /> : <FileIcon />}
            <span class="name">
              <bdi>{file.name}</bdi>
            </span>
            <span class="size">{fileSize(t, file.size)}</span>
            <button
              type="button"
              class="remove"
              aria-label={t('removeFile', { name: file.name })}
              onClick={() => onRemove(i)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {/* Several lines (a template's text comes here with its files); Enter sends, Shift+Enter breaks a line. */}
      <textarea
        class="caption"
        ref={captionBox}
        rows={caption.includes('\n') ? 3 : 1}
        aria-label={t('caption')}
        placeholder={t('caption')}
        value={caption}
        onInput={(e) => onCaption((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            onSend();
          }
        }}
      />
      {captionProblem ? (
        <span class="problem" role="alert">
          {captionProblem}
        </span>
      ) : null}
      <div class="preview-bar">
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
        <button type="button" class="primary" disabled={captionProblem !== null} onClick={onSend}>
          {t('send')}
        </button>
      </div>
    </fieldset>
  );
}
