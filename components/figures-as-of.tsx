/**
 * Says how fresh figures are: "live" when computed for this page, otherwise the moment they
 * describe. At a large scale the figures are a shared computation refreshed each minute.
 */
export function FiguresAsOf({ asOf, live }: { asOf: Date; live: boolean }) {
  const time = asOf.toISOString().slice(11, 19);
  return (
    <p className="text-sm text-slate-600" data-testid="figures-as-of">
      {live ? (
        <>Figures are live.</>
      ) : (
        <>
          Figures as of <time dateTime={asOf.toISOString()}>{time} UTC</time>; they are refreshed every minute while someone looks.
        </>
      )}
    </p>
  );
}
