import { useCallback, useState } from 'react';
import { normalizeTag } from '../lib/tags';

// Tag editing for the product form; initial comes from the product, which may have none.
export function useTags(initial) {
  const [tags, setTags] = useState(initial);

  const add = useCallback(
    (raw) => {
      const tag = normalizeTag(raw);
      if (!tag || tags?.includes(tag)) {
        return;
      }
      setTags([...tags, tag]);
    },
    [tags],
  );

  const remove = useCallback((tag) => {
    setTags((current) => current.filter((t) => t !== tag));
  }, []);

  return { tags, add, remove };
}
