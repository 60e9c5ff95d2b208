"""Django's own admin texts that its catalogue for some of our languages lacks (Hindi, mostly).

They are on every admin page ("Recent actions", "View site", "Start typing to filter…"), and a
Hindi admin showed them in English. Our catalogues (LOCALE_PATHS) come before Django's, so a
translation of ours fills the gap; but `makemessages --no-obsolete` drops every msgid it does
not find in our sources, so they are named here, exactly as Django's templates and apps spell
them. Nothing imports this module. In a language whose Django catalogue has an entry, ours
carries Django's own translation. tests/i18n/test_pages.py fails on any of Django's English
left on the admin pages it opens.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_TEXTS = [
    # contrib/admin/templates/admin/base.html, color_theme_toggle.html, nav_sidebar.html
    gettext_noop("Skip to main content"),
    gettext_noop("View site"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Start typing to filter…"),
    gettext_noop("Filter navigation items"),
    # index.html, app_list.html
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("View"),
    # change_list.html, admin_list.py, submit_line.html
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Close"),
    # widgets/related_widget_wrapper.html: the links beside a foreign key on an add page
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("View selected %(model)s"),
    # contrib/auth/apps.py: the auth app's name on the index and in the sidebar
    gettext_noop("Authentication and Authorization"),
]
