import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.models import Article, Claim, Section
from references.models import Reference


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            if not Group.objects.filter(name=name).exists():
                # transactional tests flush the data migration's groups: recreate them
                from django.apps import apps

                from reviews.roles import sync_roles

                sync_roles(apps)
            self.groups.add(Group.objects.get(name=name))


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    key = factory.Sequence(lambda n: f"ref-{n}")
    kind = Reference.Kind.RESEARCH
    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    source = "Journal of Examples"
    year = 2021


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    question = factory.Sequence(lambda n: f"Is treatment {n} safe?")
    slug = factory.Sequence(lambda n: f"is-treatment-{n}-safe")
    summary = "It depends."


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    heading = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    section = factory.SubFactory(SectionFactory)
    text = "A statement."
    position = factory.Sequence(lambda n: n)


def make_article(*, sections: int = 2, claims_per_section: int = 3, references: int = 4, **fields) -> Article:
    """An article whose claims cite `references` references round-robin, with the summary citing the first."""
    refs = [ReferenceFactory() for _ in range(references)]
    summary = fields.pop("summary", "Short answer")
    article = ArticleFactory(summary=f"{summary} [@{refs[0].key}]" if refs else summary, **fields)
    n = 0
    for s in range(sections):
        section = SectionFactory(article=article, heading=f"Heading {s + 1}", position=s)
        for c in range(claims_per_section):
            marker = f" [@{refs[n % len(refs)].key}]" if refs else ""
            ClaimFactory(section=section, text=f"Claim {s + 1}.{c + 1}{marker}", position=c)
            n += 1
    return article
