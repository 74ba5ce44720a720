"""Inspection trips: visiting order and schedule.

Distances are geodesic (pyproj Geod on WGS84) times a road factor (roads are longer
than straight lines); the order comes from OR-Tools' routing solver; the schedule
splits the trip into working days that start and end at the base (the bureau)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


def distance_matrix(points: list[tuple[float, float]], road_factor: float = 1.3) -> np.ndarray:
    """Metres between every pair of (lon, lat) points, straight-line geodesic × road_factor."""
    n = len(points)
    lon = np.array([p[0] for p in points], dtype=float)
    lat = np.array([p[1] for p in points], dtype=float)
    i, j = np.triu_indices(n, k=1)
    m = np.zeros((n, n))
    if len(i):
        _az, _baz, d = GEOD.inv(lon[i], lat[i], lon[j], lat[j])
        m[i, j] = m[j, i] = np.asarray(d) * road_factor
    return m


def solve_order(matrix: np.ndarray, start: int = 0, end: int | None = None, seconds: int = 2) -> list[int]:
    """Indices of the stops in visiting order (start and end excluded); OR-Tools routing."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(matrix)
    end = start if end is None else end
    stops = [k for k in range(n) if k not in (start, end)]
    if len(stops) <= 1:
        return stops
    manager = pywrapcp.RoutingIndexManager(n, 1, [start], [end])
    routing = pywrapcp.RoutingModel(manager)
    whole = np.rint(matrix).astype(int)

    def cost(a: int, b: int) -> int:
        return int(whole[manager.IndexToNode(a), manager.IndexToNode(b)])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.seconds = seconds
    solution = routing.SolveWithParameters(params)
    if solution is None:  # pragma: no cover - a single vehicle without constraints always has a solution
        return stops
    order, index = [], routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node not in (start, end):
            order.append(node)
        index = solution.Value(routing.NextVar(index))
    return order


def route_length(matrix: np.ndarray, order: list[int], start: int = 0, end: int | None = None) -> float:
    end = start if end is None else end
    path = [start, *order, end]
    return float(sum(matrix[a, b] for a, b in zip(path, path[1:], strict=False)))


@dataclass
class Visit:
    node: int
    day: int  # 1-based
    arrive: datetime
    depart: datetime
    leg_m: float  # from the previous point of the day


@dataclass
class Schedule:
    visits: list[Visit]
    day_returns: dict[int, datetime]  # day → back at base
    distance_m: float
    drive_min: float
    service_min: float
    unplaceable: list[int]  # stops that cannot fit in one working day even alone

    @property
    def days(self) -> int:
        return max((v.day for v in self.visits), default=0)


def schedule(order: list[int], matrix: np.ndarray, *, start: int = 0, end: int | None = None,
             first_day: date, speed_kmh: float = 40.0, service_min: float = 45.0,
             day_start: time = time(8, 30), day_end: time = time(17, 30)) -> Schedule:
    """Visit the stops in order; a day ends (back to `end`) when the next visit and the
    return would not be done by `day_end`; the next day starts from `start` at `day_start`."""
    end = start if end is None else end

    def drive(a: int, b: int) -> timedelta:
        return timedelta(hours=matrix[a, b] / 1000 / speed_kmh)

    stay = timedelta(minutes=service_min)
    visits: list[Visit] = []
    returns: dict[int, datetime] = {}
    unplaceable: list[int] = []
    day, d = 1, first_day
    clock, here = datetime.combine(d, day_start), start
    total_m = drive_m = 0.0
    for node in order:
        alone = drive(start, node) + stay + drive(node, end)
        if datetime.combine(d, day_start) + alone > datetime.combine(d, day_end):
            unplaceable.append(node)  # not even on a day of its own: reported, the day goes on
            continue
        limit = datetime.combine(d, day_end)
        done = clock + drive(here, node) + stay
        if done + drive(node, end) > limit and here != start:
            # close the day and start the next one from the base
            back = clock + drive(here, end)
            returns[day] = back
            total_m += matrix[here, end]
            drive_m += matrix[here, end]
            day, d = day + 1, d + timedelta(days=1)
            clock, here = datetime.combine(d, day_start), start
            limit = datetime.combine(d, day_end)
            done = clock + drive(here, node) + stay
        if done + drive(node, end) > limit:
            unplaceable.append(node)
            continue
        arrive = clock + drive(here, node)
        visits.append(Visit(node, day, arrive, arrive + stay, float(matrix[here, node])))
        total_m += matrix[here, node]
        drive_m += matrix[here, node]
        clock, here = arrive + stay, node
    if visits:
        returns[day] = clock + drive(here, end)
        total_m += matrix[here, end]
        drive_m += matrix[here, end]
    drive_minutes = drive_m / 1000 / speed_kmh * 60
    return Schedule(visits, returns, float(total_m), drive_minutes, service_min * len(visits), unplaceable)


def fit_view(lons: list[float], lats: list[float], width_px: int = 600, height_px: int = 380,
             max_zoom: int = 15) -> tuple[tuple[float, float], int]:
    """((lat, lon) centre, zoom) of a Web Mercator map of the given size that shows all
    points: the largest whole zoom at which their extent fits (a route map fitted to its
    stops, not to the city)."""
    import math

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    centre = ((south + north) / 2, (west + east) / 2)
    dx = max(east - west, 1e-6) / 360.0  # share of the world's width
    dy = max(merc_y(north) - merc_y(south), 1e-8) / (2 * math.pi)
    zoom = math.floor(math.log2(min(width_px / (256 * dx), height_px / (256 * dy))))
    return centre, max(1, min(max_zoom, zoom))
