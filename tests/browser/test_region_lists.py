"""The region page shows the first rows of its lists; the complete lists are
one link away, page through with htmx (and without), and are accessible."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_from_the_region_page_to_every_school_without_a_route(guarded_page):
    page = guarded_page
    page.goto("/regio/AM22")  # the demo region with the most vmbo schools (over a hundred)
    heading = page.get_by_role("heading", name=re.compile(r"Vmbo-scholen zonder leerroute \(\d+\)"))
    total = int(re.search(r"\((\d+)\)", heading.inner_text()).group(1))
    assert total > 100
    expect(page.locator("#gaten-scholen li")).to_have_count(50)
    page.get_by_role("link", name=f"Alle {total} vmbo-scholen zonder leerroute").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vmbo-scholen zonder leerroute in")
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"{total} vmbo-scholen zonder leerroute, pagina 1 van 2")
    first = page.locator("#gaten-scholen li").all_inner_texts()
    assert len(first) == 100
    assert_accessible(page, "schools without a route, page 1")

    page.get_by_role("navigation", name="Paginering").get_by_role("link", name="Volgende").click()
    expect(page).to_have_url(re.compile(r"pagina=2"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("pagina 2 van 2")
    second = page.locator("#gaten-scholen li").all_inner_texts()
    assert len(first) + len(second) == total and second[0] != first[0]
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # the fragment was swapped, not a page in a page
    assert_accessible(page, "schools without a route, page 2")

    page.go_back()
    expect(page.get_by_role("heading", level=2)).to_contain_text("pagina 1 van 2")


def test_organisations_of_a_regions_routes_are_accessible(guarded_page):
    page = guarded_page
    page.goto("/regio/AM22/organisaties")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Organisaties in de leerroutes van")
    assert_accessible(page, "organisations of the region's routes")
