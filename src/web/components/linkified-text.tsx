import { Fragment } from 'react';
import { splitLinks } from './links.js';

/** Plain text with its URLs as links; React escapes everything, no HTML is interpreted. */
export function LinkifiedText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, index) =>
        part.kind === 'text' ? (
          <Fragment key={index}>{part.value}</Fragment>
        ) : (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.value}
          </a>
        ),
      )}
    </>
  );
}
