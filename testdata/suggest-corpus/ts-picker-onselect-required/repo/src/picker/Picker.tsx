import React from "react";
import { Item } from "./types";

interface PickerProps {
  items: Item[];
  selected: string | null;
  onSelect: (id: string) => void;
}

export function Picker({ items, selected, onSelect }: PickerProps) {
  function choose(item: Item) {
    if (item.disabled) {
      return;
    }
    onSelect(item.id);
  }

  return (
    <ul className="picker">
      {items.map((item) => (
        <li key={item.id} aria-selected={item.id === selected} onClick={() => choose(item)}>
          {item.label}
        </li>
      ))}
    </ul>
  );
}
