"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * A box that scrolls sideways when its content (a wide table) is wider than the page, instead of
 * the page being cut off. It is a named region; while its content is wider than it, it is also in
 * the tab order, so keyboard users can focus it and scroll it with the arrow keys (when everything
 * fits, it would only be one more stop on the way to the rows' links). It is positioned, so that
 * visually hidden text in a cell (absolutely placed) stays inside it instead of widening the page.
 */
export function ScrollRegion({ label, className = "", children }: { label: string; className?: string; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  // Focusable until measured: the page as the server sends it can be scrolled with the keyboard.
  const [scrolls, setScrolls] = useState(true);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setScrolls(element.scrollWidth > element.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={box} role="region" aria-label={label} tabIndex={scrolls ? 0 : undefined} className={`relative max-w-full overflow-x-auto ${className}`}>
      {children}
    </div>
  );
}
