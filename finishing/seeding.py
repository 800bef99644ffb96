"""The factory's two conveyor metal detectors, one per finishing line (DOMAIN.md)."""

DETECTORS = (("MD-1", "FIN-1"), ("MD-2", "FIN-2"))


def ensure_detectors(apps, using="default") -> None:
    Detector = apps.get_model("finishing", "Detector")
    Line = apps.get_model("transfers", "Line")
    lines = {ln.code: ln for ln in Line.objects.using(using).filter(code__in=["FIN-1", "FIN-2"])}
    for code, line_code in DETECTORS:
        line = lines.get(line_code)
        if line is not None:
            Detector.objects.using(using).get_or_create(
                code=code, defaults={"line": line, "name": f"Metal detector {line_code}"}
            )
