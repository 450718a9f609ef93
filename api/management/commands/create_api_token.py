from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken, Scope
from api.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it (only a hash is stored, so this is the only time it is "
        "shown). Administrators normally do this in the admin, under API tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the API acts as (needs the Editors' permissions to write).")
        parser.add_argument("--name", default="command line", help="Which client uses the token.")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            dest="scopes",
            help="Repeat for several; default: all scopes.",
        )

    def handle(self, *args, username, name, scopes, **options):
        owner = get_user_model().objects.filter(username=username).first()
        if owner is None:
            raise CommandError(f"No user “{username}”.")
        secret = api_token_create(token=ApiToken(owner=owner, name=name, scopes=scopes or list(Scope.values)))
        self.stdout.write(secret)
