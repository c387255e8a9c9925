export default function Loading() {
  return (
    <p role="status" className="p-8 text-center text-slate-500">
      Loading…
    </p>
  );
}
