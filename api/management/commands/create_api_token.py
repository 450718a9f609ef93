from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken, Scope
from api.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for a user. The token alone goes to standard output (TOKEN=$(manage.py "
        "create_api_token …) captures it); what it is and how to use it goes to standard error. Only a hash "
        "is stored, so this is the only time it is shown. Administrators normally do this in the admin, "
        "under API tokens."
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
        token = ApiToken(owner=owner, name=name, scopes=scopes or list(Scope.values))
        secret = api_token_create(token=token)
        base = settings.ORACLE_BASE_URL.rstrip("/")
        who = f"{owner.username} ({owner.get_full_name()})" if owner.get_full_name() else owner.username
        # The explanation on stderr, never the secret: a script's log shows what was made, not the token.
        self.stderr.style_func = None  # plain text, not the error colour
        for line in (
            f"API token “{name}” for {who}, scopes: {', '.join(token.scopes)}. The API acts as {owner.username}, "
            "with that user's permissions.",
            "Only a hash of it is stored, so this is the only time it is shown: copy it now. "
            f"Revoke it in the admin: {base}/admin/api/apitoken/",
            "Send it with each request as the header  Authorization: Bearer <token>  e.g.",
            f'  curl -H "Authorization: Bearer $ORACLE_API_TOKEN" {base}/api/drafts/<id>/review/',
            f"  ORACLE_API_TOKEN=<token> python3 examples/submit_draft.py --url {base} examples/draft.json",
            "The token (alone on standard output):",
        ):
            self.stderr.write(line)
        self.stdout.write(secret)
