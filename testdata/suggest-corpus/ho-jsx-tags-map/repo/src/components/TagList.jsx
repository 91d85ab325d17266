import React from "react";

export default function TagList(props) {
  return (
    <ul className="tags">
      {props.tags.map((tag) => (
        <li key={tag}>{tag}</li>
      ))}
    </ul>
  );
}
