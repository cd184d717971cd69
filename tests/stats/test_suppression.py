"""Small-count suppression: no hidden value can be given back by what is shown."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cellule.stats.aggregates import build_table, suppress


def lines(grid):
    rows, columns = len(grid), len(grid[0])
    yield from ([(i, j) for j in range(columns)] for i in range(rows))
    yield from ([(i, j) for i in range(rows)] for j in range(columns))


def recover(grid, hidden):
    """The attack: in a line (its total included) with exactly one unknown, the unknown is the
    difference. Repeats until nothing more is learnt; returns the hidden positions recovered."""
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    known = {(i, j) for i in range(rows + 1) for j in range(columns + 1)} - set(hidden)
    recovered = set()
    progress = True
    while progress:
        progress = False
        for line in lines(grid):
            unknown = [p for p in line if p not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                recovered.add(unknown[0])
                progress = True
    return recovered


def differences_isolating_one(grid, hidden):
    """Shown totals minus shown cells that equal a single hidden value of the same line."""
    found = []
    for line in lines(grid):
        *inner, total = line
        if total in hidden:
            continue
        gap = grid[total[0]][total[1]] - sum(grid[i][j] for i, j in inner if (i, j) not in hidden)
        hidden_inner = [p for p in inner if p in hidden]
        if len(hidden_inner) == 1 and grid[hidden_inner[0][0]][hidden_inner[0][1]] == gap:
            found.append(hidden_inner[0])
    return found


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda columns: st.lists(
        st.lists(
            st.one_of(st.integers(0, 6), st.integers(0, 60)), min_size=columns, max_size=columns
        ),
        min_size=1,
        max_size=7,
    )
)


@settings(max_examples=400, deadline=None)
@given(counts=tables, threshold=st.integers(min_value=2, max_value=11))
def test_no_hidden_value_can_be_recomputed(counts, threshold):
    grid, hidden = suppress(counts, threshold)
    # Every small count is hidden, totals included.
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if 0 < value < threshold:
                assert (i, j) in hidden
    # In every row and column (with its total), nothing or at least two entries are hidden.
    for line in lines(grid):
        assert sum(p in hidden for p in line) != 1
    assert recover(grid, hidden) == set()
    assert differences_isolating_one(grid, hidden) == []
    # Totals are those of the full data.
    assert grid[-1][-1] == sum(map(sum, counts))


@settings(max_examples=200, deadline=None)
@given(counts=tables)
def test_the_table_shows_only_marks_for_hidden_values(counts):
    columns = [(f"c{j}", f"Colonne {j}") for j in range(len(counts[0]))]
    rows = [(f"r{i}", f"Ligne {i}") for i in range(len(counts))]
    data = {(f"r{i}", f"c{j}"): n for i, row in enumerate(counts) for j, n in enumerate(row)}
    table = build_table(
        title="T", row_header="L", rows=rows, columns=columns, counts=data, threshold=5
    )
    entries = [e for row in table.rows for e in (*row.cells, row.total)]
    entries += [*table.column_totals, table.total]
    for entry in entries:
        assert entry.display == ("< 5" if entry.hidden else str(entry.value))
        assert entry.hidden or not 0 < entry.value < 5


def test_a_lone_small_count_takes_a_neighbour_with_it():
    grid, hidden = suppress([[3, 10, 12], [8, 9, 20]], 5)
    # 3 is hidden; in its row the next smallest (10), in its column the next smallest (8);
    # then row 2 and column 2 each have one hidden entry: 9 follows.
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert grid[0][3] == 25 and (0, 3) not in hidden  # the row totals stay visible


def test_a_small_total_is_hidden_and_protected():
    grid, hidden = suppress([[2, 0], [7, 9]], 5)
    assert (0, 2) in hidden  # the row total 2 would give the count away
    assert (0, 0) in hidden
    for line in lines(grid):
        assert sum(p in hidden for p in line) != 1


def test_nothing_small_nothing_hidden():
    assert suppress([[5, 6], [7, 0]], 5)[1] == set()


def test_a_single_column_hides_the_row_total_with_the_count():
    grid, hidden = suppress([[1], [30], [40]], 5)
    assert {(0, 0), (0, 1)} <= hidden
    assert recover(grid, hidden) == set()


def test_zeros_are_used_only_when_nothing_else_protects():
    _grid, hidden = suppress([[4, 0, 20], [6, 0, 30]], 5)
    assert (0, 1) not in hidden and (1, 1) not in hidden
    assert {(0, 0), (0, 2), (1, 0), (1, 2)} <= hidden
